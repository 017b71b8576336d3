// A batch norm on raw pixel values (test/e2e/raw-input-batchnorm.test).
func.func @main(%x: tensor<1x3x16x16xf32> {q.name = "data"}) -> tensor<1x3x16x16xf32> {
  %gamma = arith.constant dense<[1.7, -0.3, 0.9]> : tensor<3xf32>
  %beta = arith.constant dense<[0.1, -2.5, 3.3]> : tensor<3xf32>
  %mean = arith.constant dense<[127.3, 100.1, 90.7]> : tensor<3xf32>
  %var = arith.constant dense<[3000.3, 1234.5, 777.7]> : tensor<3xf32>
  %y = q.batch_norm %x, %gamma, %beta, %mean, %var <{eps = 2.0e-5 : f64}> : tensor<1x3x16x16xf32>, tensor<3xf32>
  return %y : tensor<1x3x16x16xf32>
}
